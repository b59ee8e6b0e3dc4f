"""Data in: user tables checked into one ``Dataset``, CSV files, and user libraries checked against the data."""
