"""A briefing's .docx as an office opens it: LibreOffice reads its title, text and sources."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from zoneops.briefings.documents import briefing_docx
from zoneops.briefings.selectors import briefing_for
from zoneops.common.tests.office import TEXT_FILTER, office_convert
from zoneops.projects.enums import Stage
from zoneops.projects.tests.factories import make_project


@pytest.mark.django_db
def test_a_briefing_opens_in_libreoffice_as_written():
    moment = datetime.combine(date(2020, 7, 10), time(10), tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(moment, tick=False):
        lead = (Stage.LEAD, date(2018, 3, 1))
        make_project("竣工一", investment=230000, moves=[lead, (Stage.COMPLETED, date(2019, 6, 1))])
        briefing = briefing_for(year=2019, kind="year")
        data = briefing_docx(briefing)

    text = office_convert(data, suffix="docx", to=TEXT_FILTER)
    lines = [line.strip() for line in text.splitlines()]

    assert lines[0] == "2019年工作简报"
    assert "2019年，共洽谈项目1个，总投资23亿元。其中，竣工项目1个，总投资23亿元。" in lines
    assert "附：数据来源" in lines
