"""Data in: user tables read into checked columns and a ``Dataset``, CSV files, the row rule, user libraries."""
