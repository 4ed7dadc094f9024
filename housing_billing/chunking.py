# This file is part of the housing billing suite. See the COPYRIGHT file at
# the top level of this repository for copyright notices and license terms.
"""Long jobs split by building into tasks of Tryton's queue."""


def batches(chunks, parent, size, limit):
    """The chunks in lists of whole chunks of about limit in total size
    (size(chunk)), each list of one parent (parent(chunk)), in the order
    of the parents' and the chunks' ids: a queue task each."""
    batch, total = [], 0
    for chunk in sorted(chunks, key=lambda c: (parent(c).id, c.id)):
        if batch and (total + size(chunk) > limit
                or parent(batch[-1]) != parent(chunk)):
            yield batch
            batch, total = [], 0
        batch.append(chunk)
        total += size(chunk)
    if batch:
        yield batch
