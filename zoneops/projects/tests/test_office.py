"""The project register's 导出 as an office opens it: LibreOffice reads the same rows."""

import csv
import io
from datetime import date

import pytest
from django.test import Client

from zoneops.common.tests.office import CSV_FILTER, office_convert
from zoneops.orgs.enums import RoleCode
from zoneops.orgs.tests.factories import make_user
from zoneops.projects.enums import Stage
from zoneops.projects.tests.factories import make_project


@pytest.mark.django_db
def test_an_exported_register_opens_in_libreoffice_with_its_chinese_text(org):
    officer = make_user(RoleCode.STAFF, departments=[org["investment"]])
    project = make_project(
        "氟化锂晶体项目",
        investment=60000,
        moves=[(Stage.TALKS, date(2019, 3, 1))],
        responsible_department=org["investment"],
    )
    client = Client()
    client.force_login(officer)
    response = client.get("/admin/projects/project/excel-export/")
    content = b"".join(response.streaming_content) if response.streaming else response.content

    rows = list(csv.reader(io.StringIO(office_convert(content, suffix="xlsx", to=CSV_FILTER))))

    header = rows[0]
    assert "项目名称" in header
    assert "总投资（万元）" in header
    (line,) = (row for row in rows[1:] if project.code in row)
    assert line[header.index("项目名称")] == "氟化锂晶体项目"
    assert float(line[header.index("总投资（万元）")].replace(",", "")) == 60000
