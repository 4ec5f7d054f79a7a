"""The one way trustlab says things in the languages it speaks: a table of texts by key, each in every language,
filled with values. The views, the console, the guide and the grades each keep their own table; all of them are read
the same way, `words.say(key, lang, **values)`, and a table that lacks a language for a key is refused when it is
made, not when a Japanese user first meets the gap."""
from __future__ import annotations

from typing import Any, Hashable

LANGUAGES = ("en", "ja")


class Words:
    """Texts by key (any hashable key), each a format string per language."""

    def __init__(self, texts: dict[Hashable, dict[str, str]]):
        missing = [f"{key!r}: {lang}" for key, by_lang in texts.items() for lang in LANGUAGES if lang not in by_lang]
        if missing:
            raise ValueError(f"texts without every language ({', '.join(LANGUAGES)}): {', '.join(missing)}")
        self.texts = texts

    @classmethod
    def by_language(cls, tables: dict[str, dict[Hashable, str]]) -> "Words":
        """The same texts written one table per language (`{"en": {...}, "ja": {...}}`), which must have the same
        keys."""
        keys = {lang: set(table) for lang, table in tables.items()}
        first = keys[LANGUAGES[0]]
        odd = {lang: sorted(map(str, first ^ k)) for lang, k in keys.items() if k != first}
        if odd:
            raise ValueError(f"the languages' tables differ in their keys: {odd}")
        return cls({key: {lang: tables[lang][key] for lang in LANGUAGES} for key in tables[LANGUAGES[0]]})

    def __contains__(self, key: Hashable) -> bool:
        return key in self.texts

    def get(self, key: Hashable, default: Hashable) -> dict[str, str]:
        return self.texts.get(key, self.texts[default])

    def say(self, key: Hashable, lang: str, **values: Any) -> str:
        return self.texts[key][lang].format(**values)

    def every(self, key: Hashable, **values: Any) -> dict[str, str]:
        """The text in every language, filled: what a record keeps, so it reads in whichever language is asked."""
        return {lang: text.format(**values) for lang, text in self.texts[key].items()}

    def of(self, lang: str) -> dict[Hashable, str]:
        """One language's table, for a view that writes many texts of one language."""
        return {key: by_lang[lang] for key, by_lang in self.texts.items()}
