"""The store layer: PostgreSQL access shared by activities and the edge, one module per
aggregate, with methods named for their purpose. Stores import `models/` and nothing above."""
