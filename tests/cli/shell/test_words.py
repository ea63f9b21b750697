"""guestfish's word syntax."""

from __future__ import annotations

import os

import pytest

from guestbox.cli.shell.words import SyntaxProblem, parse_line, split_list


def words(text: str) -> tuple[str, ...]:
    return parse_line(text).words


def test_plain_and_quoted_words() -> None:
    assert words("echo 'a b' \"c\" d#e # x") == ("echo", "a b", "c", "d#e", "#", "x")


@pytest.mark.parametrize(("src", "want"), [
    (r'"\n\t\\\"\a\b\f\r\v\'\?"', "\n\t\\\"\a\b\f\r\v'?"),
    (r'"a\101b\x41"', "aAbA"),
    (r"'\n\x41'", r"\n\x41"),
])
def test_escapes(src: str, want: str) -> None:
    assert words("echo " + src)[1] == want


@pytest.mark.parametrize(("src", "message"), [
    ('echo "\\x4g"', "guestfish: invalid escape sequence in string (starting at offset 0)"),
    ('echo "ab\\q"', "guestfish: invalid escape sequence in string (starting at offset 2)"),
    ('echo "\\000"', "guestfish: invalid escape sequence in string (starting at offset 0)"),
    ('echo "abc', "guestfish: unterminated double quote"),
    ("echo 'abc", "guestfish: unterminated single quote"),
    ('echo "abc"def', "guestfish: command arguments not separated by whitespace"),
])
def test_errors(src: str, message: str) -> None:
    with pytest.raises(SyntaxProblem) as e:
        parse_line(src)
    assert str(e.value) == message


def test_line_kinds() -> None:
    assert parse_line("  # comment").kind == "empty"
    assert parse_line("").kind == "empty"
    assert parse_line("!echo hi").host == "echo hi"
    h = parse_line("<! echo echo x")
    assert (h.kind, h.host) == ("host-commands", " echo echo x")
    m = parse_line("-cat /x")
    assert m.ignore_error and m.words == ("cat", "/x")


def test_pipe_only_at_word_start() -> None:
    p = parse_line('echo "a|b" x|y | tr a b')
    assert p.words == ("echo", "a|b", "x|y")
    assert p.pipe == " tr a b"


def test_tilde() -> None:
    home = os.environ["HOME"]
    assert words('echo ~ ~/a "~" ~nosuchuser9') == ("echo", home, home + "/a", "~",
                                                     "~nosuchuser9")


def test_string_list() -> None:
    assert split_list("/dev/sda  /dev/sdb\t/dev/sdc") == ["/dev/sda", "/dev/sdb", "/dev/sdc"]


@pytest.mark.parametrize(("src", "items"), [
    ("", []), ("  c   c  ", ["c", "c"]), ("'a b' c", ["a b", "c"]),
    ('"a b" c', ['"a', 'b"', "c"]),          # double quotes are not special in a list
    ("'d\\'e'", ["d'e"]), ("d\\'e", ["d'e"]),  # \' is a quote, inside or outside '...'
    ("a'b c'd", ["ab cd"]), ("''", [""]), ("'a 'b c''", ["a b", "c"]),
])
def test_string_list_quotes(src: str, items: list[str]) -> None:
    """guestfish's parse_string_list: items split at blanks, '...' sections, \\'."""
    assert split_list(src) == items


def test_string_list_runaway_quote() -> None:
    with pytest.raises(SyntaxProblem) as e:
        split_list("a 'b")
    assert str(e.value) == "Runaway quote in string \"a 'b\""
