"""Every modem reply sample of Gammu's corpus parses (or is refused cleanly)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from appliance.modem import atparse, pdu

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "gammu-tests"

pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"Gammu test corpus not found at {CORPUS}"
)


def _dumps(*folders: str) -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(path for folder in folders for path in (CORPUS / folder).glob("*.dump"))


def _read(path: Path) -> str:
    return path.read_text(errors="replace")


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


CPMS_SUPPORTED = {
    "alcatel-s320": [["SM", "ME", "SM_P", "ME_P", "MT"]] * 3,
    "brovi-e3372-325": [["SM", "ME"]] * 3,
    "generic": [["SM", "ME"]] * 3,
    "samsung-j700": [],  # "+CPMS: " and OK: the modem lists nothing
    "iwow": [["SM"]] * 3,  # no parentheses
}


@pytest.mark.parametrize("dump", _dumps("at-cpms", "at-cpms-sm", "at-cpms-sr"), ids=_id)
def test_cpms_supported(dump):
    memories = atparse.parse_cpms_supported(_read(dump))
    if dump.parent.name == "at-cpms-sr":
        # A missing opening quote: ("ME", "SR") is still understood.
        assert memories == [["ME", "SR"], ["ME", "SR"], ["ME"]]
    else:
        assert memories == CPMS_SUPPORTED[dump.stem]


CNMI_SUPPORTED = {
    "01": [{2}, {0, 1, 3}, {0, 2}, {0, 1}, {0}],
    "02": [{0, 1, 2}, {0, 1, 3}, {0}, {0, 1}, {0, 1}],
    "03": [{0, 1, 2, 3}, {0, 1, 2, 3}, {0, 1, 2, 3}, {0, 1}, {0, 1}],  # no space after ':'
}


@pytest.mark.parametrize("dump", _dumps("at-cnmi"), ids=_id)
def test_cnmi_supported(dump):
    assert atparse.parse_cnmi_supported(_read(dump)) == CNMI_SUPPORTED[dump.stem]


CREG = {
    "empty": None,  # bare OK: the modem said nothing
    "huawei": (2, 1, 0x4CA, 0x81DE445, None),  # unquoted hex
    "none": (0, 0, None, None, None),
    "siemens": (0, 1, 0x5E25, 0x605F, None),
    "sierra312u": (2, 5, 0x2AF5, 0x0B88E350, 2),
    "telit": (0, 1, 0x5E25, 0x605F, 2),
    "empty-lac": (2, 1, None, 0x605F, None),
    "mismatched-quotes": (2, 1, 0x0B, 0x0100701, 7),  # "0B,"0100701",7
    "single-quote": (2, 1, 0x5E25, None, None),  # "5E25 and the line ends
}


@pytest.mark.parametrize("dump", _dumps("at-creg", "at-creg-corner"), ids=_id)
def test_creg(dump):
    registration = atparse.parse_registration(_read(dump))
    expected = CREG[dump.stem]
    if expected is None:
        assert registration is None
        return
    got = (registration.n, registration.stat, registration.lac, registration.ci, registration.act)
    assert got == expected
    assert registration.registered == (registration.stat in (1, 5))
    json.dumps(registration.to_dict())


SMSC = {"01": "+97254120032", "02": "+79168999100", "03": "+6281100000", "05": "+447802092035"}


@pytest.mark.parametrize("dump", _dumps("at-smsc"), ids=_id)
def test_csca(dump):
    # 01 and 05 come UCS-2 hex encoded (AT+CSCS="UCS2"), 01 even unquoted.
    centre = atparse.parse_csca(_read(dump))
    assert (centre.number, centre.type) == (SMSC[dump.stem], 145)


@pytest.mark.parametrize("dump", _dumps("at-smsc-failing"), ids=_id)
def test_csca_without_number_is_refused(dump):
    with pytest.raises(atparse.ATParseError, match="no SMSC number"):
        atparse.parse_csca(_read(dump))


@pytest.mark.parametrize("dump", _dumps("at-cscs-huawei"), ids=_id)
def test_cscs(dump):
    assert atparse.parse_cscs(_read(dump)) == "GSM"


USSD = {
    # Packed GSM-7 in hex without a DCS; the modem's own junk included.
    "01-E160": (0, "Ihr Guthaben¿LΘ3fLΘ3fLΘ34915783647410 beträgt 7.95 Euro"),
    "02-E160": (0, "Ihr Guthaben für die Nr.4915783647410 beträgt 5.78 Euro"),
    # Passed through in the GSM character set ({ is GSM-7 for ä): left as is.
    "03-unknown": (1, "Kontostand: 3.00 EUR Bitte w{hlen Sie: 1 Konto aufladen 2 CallNow Transfer"),
    "04-unknown": (2, "Maaf, permintaan Anda tidak dapat kami proses. Silakan coba beberapa saat lagi."),
    # UCS-2 hex although the DCS says GSM-7.
    "Uissue358-Quectel_M35": (2, "Havi keret: 0Ft. Feltöltött egyenleg: 7777Ft,(ebböl vàsàrlàsra is "
                                 "fordìthatò: 7777Ft). Dìjcsomag: Bencsò A. Uj Telekom önkiszolgàlò: *111#"),
    "issue109-E3276": (0, "Для справки о балансе наберите *105#. Услуга бесплатна."),
    "issue178-dell": (0, "On DATA Pack u have 3Gb 817Mb 169kb valid until 21/05/2016   "
                         "upto time of data recharge done by u."),
    # DCS 0x11: language "ar" then UCS-2; junk after a NUL is dropped.
    "issue377-HE910-D": (2, "رصيدك 107.93 د.ل،الصلاحية  2018-11-09"),
}


@pytest.mark.parametrize("dump", _dumps("at-ussd"), ids=_id)
def test_cusd(dump):
    ussd = atparse.parse_cusd(_read(dump))
    assert (ussd.status, ussd.text) == USSD[dump.stem]
    urc = atparse.parse_unsolicited(_read(dump).strip())
    assert (urc["type"], urc["text"]) == ("cusd", ussd.text)


MODELS = {
    "01": "MULTIBAND  900E  1800",
    "02": "Nokia 5210",
    "03": "AAB-1022041-BV",
    "04": "0123456789" * 35,
    "05": "Manufacturer: I: SAMSUNG ELECTRONICS CO., LTD. / Model: I: SCH-U706/99 / "
          "Revision: I: u706 ,  ver : BC04.1 / ESN: 0x80B886F3 / "
          "+GCAP: +CIS707-A, CIS-856, +MS, +ES, +DS, +FCLASS",
    "06": "MULTIBAND  900E  1800",  # CR CR LF line ends
}


@pytest.mark.parametrize("dump", _dumps("at-model"), ids=_id)
def test_identity(dump):
    assert atparse.parse_identity(_read(dump)) == MODELS[dump.stem]


TEXT_MODE = {
    "motorola-l7": ("REC READ", "+4123456789132", dt.datetime(2009, 8, 18, 19, 11, 45), 1, {}),
    "motorola-long": ("REC READ", "+6667776667744", dt.datetime(2009, 8, 18, 19, 11, 45), 4, {}),
    "timezone": ("REC READ", "+31625044454",
                 dt.datetime(2007, 7, 5, 9, 56, 3, tzinfo=dt.timezone(dt.timedelta(hours=2))), 1, {}),
    # "+80" quarter hours is what this M2M module says: +20:00.
    "m2m": ("REC READ", "3473065111",
            dt.datetime(2006, 5, 28, 18, 15, 41, tzinfo=dt.timezone(dt.timedelta(hours=20))), 1,
            {"tooa": 129, "fo": 17, "pid": 0, "dcs": 18, "sca": "+393492001157", "tosca": 145, "length": 6}),
    "sample": ("REC READ", "+393488535999",
               dt.datetime(2007, 4, 5, 18, 2, 28, tzinfo=dt.timezone(dt.timedelta(hours=2))), 1,
               {"tooa": 145, "fo": 4, "pid": 0, "dcs": 0, "sca": "+393492000466", "tosca": 145, "length": 93}),
    "sample2": ("REC READ", "+85291234567",
                dt.datetime(2007, 2, 18, 0, 5, 10, tzinfo=dt.timezone(dt.timedelta(hours=8))), 1,
                {"tooa": 145, "fo": 4, "pid": 0, "dcs": 0, "sca": "+85290000000", "tosca": 145, "length": 49}),
    "unsent": ("STO UNSENT", "+10011", None, 1,
               {"toda": 145, "fo": 17, "pid": 0, "dcs": 0, "vp": "167", "sca": "+8613800100500",
                "tosca": 145, "length": 4}),
}


@pytest.mark.parametrize("dump", _dumps("at-sms-txt", "at-sms-txt-detail"), ids=_id)
def test_cmgr_text_mode(dump):
    message = atparse.parse_cmgr(_read(dump))
    stat, number, timestamp, body_lines, details = TEXT_MODE[dump.stem]
    assert message.mode == "text"
    assert (message.stat, message.number, message.timestamp) == (stat, number, timestamp)
    assert message.details == details
    assert len(message.text.splitlines()) == body_lines
    body = [line for line in _read(dump).splitlines()[2:] if line.strip() not in ("OK", "")]
    assert message.text == "\n".join(body)  # trailing spaces kept


@pytest.mark.parametrize("dump", _dumps("at-sms"), ids=_id)
def test_cmgr_pdu_mode(dump):
    message = atparse.parse_cmgr(_read(dump))
    assert message.mode == "pdu"
    assert message.length is not None
    # The PDU line is the one after the header (04.dump's stray quote removed).
    lines = _read(dump).splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("+CMGR:"))
    assert message.pdu == lines[header + 1].strip().strip('"')
    if dump.stem not in ("20", "41"):  # the two PDUs the codec refuses
        pdu.decode(message.pdu)


@pytest.mark.parametrize("dump", _dumps("at-sms-failing"), ids=_id)
def test_cmgr_of_broken_transcripts(dump):
    # The reply itself is well formed or refused cleanly; its PDU never decodes.
    try:
        message = atparse.parse_cmgr(_read(dump))
    except atparse.ATParseError as exc:
        assert "\n" not in str(exc)  # 13 and 17: the "PDU" line is not hex
        return
    with pytest.raises(pdu.PDUError):
        pdu.decode(message.pdu)
