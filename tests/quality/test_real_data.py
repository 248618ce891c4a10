"""QC end to end over the real files in ../shared/data, ingested through ingest_path.

The registry is the synop2bufr station list of the Cuban bulletin WX.00, whose longitudes carry
the wrong sign (a real error): every value of those stations is suspect for position, naming the
slip. Every stored value gets a code other than 9 (every element has at least its sensor range to
be checked against), missing values 8.
"""

from __future__ import annotations

import pytest

from qixiang.ingest.pipeline import ingest_path
from qixiang.observations.models import Observation
from qixiang.science import qc
from qixiang.stations.services import import_file

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

FOLDERS = ("bufr", "synop", "csv", "metar")
POSITION = qc.bit("position")


@pytest.fixture
def ingested(shared_data):
    import_file(shared_data / "stations" / "synop2bufr-gts_data" / "station_list.csv")
    for folder in FOLDERS:
        for path in sorted((shared_data / folder).iterdir()):
            ingest_path(path)
    return Observation.objects.all()


def test_every_stored_value_is_checked_or_missing(ingested):
    assert ingested.count() > 2000
    assert not ingested.filter(qc_flag=9).exists()
    assert not ingested.filter(value__isnull=True).exclude(qc_flag=8).exists()
    assert not ingested.filter(value__isnull=False, qc_flag=8).exists()
    assert set(ingested.values_list("qc_flag", flat=True).distinct()) <= {0, 1, 2, 8}
    assert ingested.filter(value__isnull=False, qc_checks__isnull=True).count() == 0


def test_the_cuban_stations_registered_with_positive_longitudes_get_position_flags(ingested):
    cuban = ingested.filter(station_id__startswith="78", value__isnull=False)
    assert cuban.values("station_id").distinct().count() >= 40
    assert not cuban.exclude(qc_flag__in=(1, 2)).exists()
    assert all(mask & POSITION for mask in cuban.values_list("qc_checks", flat=True))
    reason = cuban.filter(station_id="78310").first().qc_reason
    assert "WMO block 78" in reason and "longitude sign flipped" in reason
    placeholder = cuban.filter(station_id="78308").first().qc_reason
    assert "(0, 0) is a placeholder" in placeholder


def test_stations_missing_from_the_registry_are_suspect_as_unknown(ingested):
    romanian = ingested.filter(station_id="15015", value__isnull=False)
    assert romanian.exists()
    assert all(o.qc_flag >= 1 and "15015 is not in the registry" in o.qc_reason
               for o in romanian)
