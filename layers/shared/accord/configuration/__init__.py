"""The configuration family (Telmai's API): projects and roles, connections, asset
configurations and moves between projects."""
