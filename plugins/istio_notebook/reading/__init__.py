"""What makes the site read well, beyond checking: glossary terms explained where they are used."""
