"""The guided interview: the question plan shared with the web app, and the terminal interview over it."""
