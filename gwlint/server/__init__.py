"""gwlint server: the Language Server (pygls; `pip install gwlint[server]`)."""
