"""Plain typed records shared by db/ and ml/ (which never import each other)."""
