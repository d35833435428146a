"""What the commands people type do, as functions a test can call: the cron job, the doctor, the
channel report, the stock query, re-extraction. What needs the post format (taking over a blog,
re-rendering posts, rebuilding the manifest) is in ``pipelines/``, which nothing here imports."""
