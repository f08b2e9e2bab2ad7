"""`flask backup` and `flask restore`: the database and the uploaded files, restorable."""
