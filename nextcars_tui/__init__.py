"""NextCars rental desk: cars with drivers, booked from the terminal."""

__version__ = "0.1.0"
