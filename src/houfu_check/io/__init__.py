"""Reading data files as text: encodings, CSV structure, data folders."""
