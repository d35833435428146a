"""What the commands people type do, as functions a test can call: the cron job, the doctor, the
channel report, taking over a blog, re-rendering posts, rebuilding the manifest."""
