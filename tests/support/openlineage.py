"""OpenLineage events made with the real `openlineage-python` client's own classes (event_v2 and the
generated facets), as producers make them; `as_dict` is what its HTTP transport sends."""
import json
import uuid
from datetime import datetime, timedelta, timezone

from openlineage.client.event_v2 import (DatasetEvent, InputDataset, Job, JobEvent, OutputDataset, Run,
                                         RunEvent, RunState, StaticDataset)
from openlineage.client.facet_v2 import (column_lineage_dataset, data_quality_assertions_dataset,
                                         error_message_run, output_statistics_output_dataset, schema_dataset)
from openlineage.client.serde import Serde

PRODUCER = "https://github.com/OpenLineage/OpenLineage/tree/1.23.0/integration/dbt"
NS = "postgres://warehouse:5432"


def now(offset_s: float = 0) -> str:
    return (datetime.now(timezone.utc) + timedelta(seconds=offset_s)).isoformat()


def schema(*columns: tuple[str, str]):
    return schema_dataset.SchemaDatasetFacet(
        fields=[schema_dataset.SchemaDatasetFacetFields(name=n, type=t) for n, t in columns])


def column_lineage(mapping: dict, dataset: list | None = None, ns: str = NS):
    """`mapping` {output column: [(input name, input column[, DIRECT|INDIRECT])]}."""
    def field(ref):
        name, col, *kind = ref
        return column_lineage_dataset.InputField(
            namespace=ns, name=name, field=col,
            transformations=[column_lineage_dataset.Transformation(type=kind[0] if kind else "DIRECT")])
    return column_lineage_dataset.ColumnLineageDatasetFacet(
        fields={out: column_lineage_dataset.Fields(inputFields=[field(r) for r in refs]) for out, refs in mapping.items()},
        dataset=[field(r) for r in dataset or []])


def assertions(*checks: tuple[str, bool, str | None]):
    return data_quality_assertions_dataset.DataQualityAssertionsDatasetFacet(assertions=[
        data_quality_assertions_dataset.Assertion(assertion=a, success=ok, column=col) for a, ok, col in checks])


def stats(rows: int):
    return output_statistics_output_dataset.OutputStatisticsOutputDatasetFacet(rowCount=rows)


def run_event(state: str = "COMPLETE", *, inputs=(), outputs=(), run_id: str | None = None, job: str = "job",
              job_ns: str = "dbt", at: str | None = None, ns: str = NS, error: str | None = None,
              producer: str = PRODUCER) -> RunEvent:
    """`inputs`/`outputs`: names, or {"name", "facets", "extra" (input/output facets), "ns"}."""
    def ds(cls, spec, extra_name):
        spec = {"name": spec} if isinstance(spec, str) else spec
        kw = {"namespace": spec.get("ns", ns), "name": spec["name"], "facets": spec.get("facets") or {}}
        if spec.get("extra"):
            kw[extra_name] = spec["extra"]
        return cls(**kw)
    run_facets = {"errorMessage": error_message_run.ErrorMessageRunFacet(message=error, programmingLanguage="python")} \
        if error else {}
    return RunEvent(eventType=getattr(RunState, state), eventTime=at or now(),
                    run=Run(runId=run_id or str(uuid.uuid4()), facets=run_facets),
                    job=Job(namespace=job_ns, name=job), producer=producer,
                    inputs=[ds(InputDataset, s, "inputFacets") for s in inputs],
                    outputs=[ds(OutputDataset, s, "outputFacets") for s in outputs])


def job_event(*, inputs=(), outputs=(), job: str = "job", job_ns: str = "dbt", ns: str = NS) -> JobEvent:
    return JobEvent(eventTime=now(), job=Job(namespace=job_ns, name=job), producer=PRODUCER,
                    inputs=[InputDataset(namespace=ns, name=n) for n in inputs],
                    outputs=[OutputDataset(namespace=ns, name=n) for n in outputs])


def dataset_event(name: str, ns: str = NS) -> DatasetEvent:
    return DatasetEvent(eventTime=now(), producer=PRODUCER, dataset=StaticDataset(namespace=ns, name=name))


def as_dict(event) -> dict:
    return json.loads(Serde.to_json(event))
