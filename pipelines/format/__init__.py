"""The post format, pure: Article -> the exact text and file name of a seed-format Hexo post.

``post`` assembles front matter and body; ``title`` holds the title rules shared by the front
matter and the file name; ``seed_body`` the body rules; ``file_names`` the name rule. No I/O,
no settings, no clock.
"""

from pipelines.format.file_names import post_file_name
from pipelines.format.post import render_post

__all__ = ["post_file_name", "render_post"]
