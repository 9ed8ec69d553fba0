"""Business or private: which messages of an official's chat concern an administrative matter
(bestuurlijke aangelegenheid) and belong in the archive, proposed with reasons.

A pure library without Django (layer 0, like :mod:`balie.pii`): the imports and, later, the
Woo workbench call :func:`balie.business.proposal.propose` with a chat and get a proposal
per message. The model is trained on the synthetic corpus in ``corpus/business-or-private``
(:mod:`.training`, scikit-learn at training time only) and ships with the package as a small
table of weights (:mod:`.model`); proposing needs nothing but the standard library.

- :mod:`.text`: the words of a message and their weight (stage 1, per message).
- :mod:`.signals`: what the conversation says about each message (stage 2).
- :mod:`.model`: the shipped model, its version, loading it once.
- :mod:`.proposal`: the one function, ``propose(chat)``, and what it returns.
- :mod:`.corpus`: the labelled corpus and its split into training and held-out chats.
"""
