"""The Chinese console (zh-CN), server-rendered with Jinja2; every asset is served by jiesu."""
