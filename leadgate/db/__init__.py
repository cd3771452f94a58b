"""Engine and session factory, declarative Base and mixins, keyset paging, migrations."""
