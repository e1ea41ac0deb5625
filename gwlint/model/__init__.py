"""The model: Workspace, routes, endpoints, pools, effective values, backends."""
