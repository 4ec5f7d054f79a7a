"""The console's front end: prompt_toolkit reads the lines (history, completion from the command table, hidden
password input), the machine answers. `input`/`output` are prompt_toolkit's, so tests drive it with a pipe."""
from __future__ import annotations

from typing import Iterable, Optional

from prompt_toolkit import PromptSession, print_formatted_text
from prompt_toolkit.completion import Completer, Completion
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.input import Input
from prompt_toolkit.output import Output

from trustlab.training.console import Console


class TableCompleter(Completer):
    """Completes the words of the commands this screen knows (the command table's usages)."""

    def __init__(self, machine: Console):
        self.machine = machine

    def get_completions(self, document, complete_event) -> Iterable[Completion]:
        typed = document.text_before_cursor
        for word in self.machine.words():
            if word.lower().startswith(typed.lower()) and word.lower() != typed.lower():
                yield Completion(word, start_position=-len(typed))


def run(machine: Console, input: Optional[Input] = None, output: Optional[Output] = None,
        history: Optional[History] = None) -> None:
    """Until Ctrl-D: read a line at the machine's prompt, print what it shows. A hidden answer (a password) is read
    by a second prompt that keeps no history, so nothing typed there is stored."""
    session: PromptSession = PromptSession(history=history or InMemoryHistory(), completer=TableCompleter(machine),
                                           input=input, output=output, complete_while_typing=False)
    hidden: PromptSession = PromptSession(history=InMemoryHistory(), input=input, output=output)

    def show(text: str) -> None:
        if text:
            print_formatted_text(text, output=session.output)

    show(machine.start())
    while True:
        try:
            if machine.secret:
                line = hidden.prompt(machine.prompt, is_password=True)
            else:
                line = session.prompt(machine.prompt)
        except KeyboardInterrupt:            # Ctrl-C: the line is dropped, as at cmd's prompt
            continue
        except EOFError:
            break
        show(machine.feed(line))
        if machine.cleared:
            session.output.erase_screen()


def history_file(folder) -> History:
    """The trainee's command history, kept with the session (Up and Ctrl-R find earlier lines)."""
    return FileHistory(str(folder / "console-history"))
