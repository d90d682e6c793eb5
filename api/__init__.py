"""The HTTP edge: provider webhooks, the artist's pages, the admin API and the demo."""
