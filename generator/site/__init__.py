"""Render and build stages: pages, open data and the mkdocs site."""
