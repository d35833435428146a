"""What Sina is: page readers for every template era, the roll and 7x24 list APIs, the channel and
feed tables, and the shapes the doctor expects. Framework-free: no Scrapy, no state, no files written."""
