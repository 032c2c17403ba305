from core.text import fold, normalise_email, spreadsheet_safe


def test_fold_removes_accents_case_and_extra_spaces():
    assert fold("  Zoé  N'Diaye-LEFÈVRE ") == "zoe n'diaye-lefevre"
    assert fold("Œuvre Ærø") == "œuvre ærø"


def test_normalise_email():
    assert normalise_email("  Zoe@Example.ORG ") == "zoe@example.org"


def test_spreadsheet_safe():
    assert spreadsheet_safe("=1+1") == "'=1+1"
    assert spreadsheet_safe("@SUM(A1)") == "'@SUM(A1)"
    assert spreadsheet_safe("-2") == "'-2"
    assert spreadsheet_safe("Pôle") == "Pôle"
    assert spreadsheet_safe(3) == 3
