"""Server-rendered web pages (Jinja2) and their static assets, served by the API's app."""
