"""The post format, pure: Article -> the exact text and file name of a seed-format Hexo post.

``post`` assembles front matter and body; ``title`` holds the title rules shared by the front
matter and the file name; ``seed_body`` the reference body rules, ``clean_body`` the article
without boilerplate, ``markdown_body`` its Markdown; ``sanitize`` keeps only what is safe to
publish; ``file_names`` the name rule. No I/O, no settings, no clock.
"""

from pipelines.format.file_names import post_file_name, reference_file_name
from pipelines.format.post import (
    BODY_MODES,
    EXTRA_KEYS,
    RenderedPost,
    body_mode_of,
    post_categories,
    post_title,
    render,
    render_post,
)

__all__ = ["BODY_MODES", "EXTRA_KEYS", "RenderedPost", "body_mode_of", "post_categories", "post_file_name",
           "post_title", "reference_file_name", "render", "render_post"]
