"""Fair editions of the regional Social and Solidarity Economy fair, and their stands."""
