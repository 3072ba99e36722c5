"""The action server's logs follow the same privacy rules as Rasa's
(privacy/logs.py): an action that fails must not put the person's messages or
the tracker into them.

rasa_sdk imports every module of this package when it starts, before it
serves a request; importing this one installs the rules.
"""

from privacy import logs

logs.install()
