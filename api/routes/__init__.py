"""The routers, one per audience. A router imports `api/deps.py` and the edge's services beside
it, never another router."""
