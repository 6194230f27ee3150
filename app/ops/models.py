"""No tables: operations act on the whole database."""
