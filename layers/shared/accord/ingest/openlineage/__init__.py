"""OpenLineage (DESIGN §10.2): events in (`POST /api/v1/lineage`, the reports queue), validated
against the bundled spec, recorded as materializations, dependencies, column lineage, audit runs,
drift verdicts, job runs and discovered datasets."""
