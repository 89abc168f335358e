"""The coordinator's pages: server-rendered Jinja2, translated with Babel."""
