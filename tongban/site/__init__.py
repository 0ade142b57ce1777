"""The site: the top layer. The landing page, the navigation, the error pages and the
demo orchestration live here; it may import every domain app, and none imports it."""
