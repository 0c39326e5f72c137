/**
 * The gateway's memory for answers in flight: every member answer being read holds a ticket that
 * counts its bytes as they stream in, and the sum over all tickets is capped (members.yaml
 * `gateway.maxInFlightAnswerBytes`). When a chunk would pass the cap, the LARGEST answer in flight is
 * refused (its ticket marked, its call aborted, its bytes freed), not the one whose chunk happened to
 * arrive last: one state streaming a huge answer loses its own part, the small answers of the other
 * states go on. A refused answer is reported as MEMBER_UNAVAILABLE with reason TOO_LARGE.
 *
 * Bytes are counted until the answer is parsed; the parsed objects are the request's to hold.
 */
export class AnswerMemory {
  private total = 0;
  private readonly tickets = new Set<AnswerTicket>();

  constructor(readonly maxBytes: number) {}

  /** Bytes of answers currently being read, over all states. */
  get inFlightBytes(): number {
    return this.total;
  }

  /** A ticket for one answer; `onRefused` aborts its call when another answer's chunk makes it the one to drop. */
  open(onRefused: () => void): AnswerTicket {
    const ticket = new AnswerTicket(this, onRefused);
    this.tickets.add(ticket);
    return ticket;
  }

  /** @internal: adds `n` bytes to `ticket`; false if that ticket is (now) refused. */
  grow(ticket: AnswerTicket, n: number): boolean {
    if (ticket.refused || !this.tickets.has(ticket)) return false;
    ticket.bytes += n;
    this.total += n;
    while (this.total > this.maxBytes) {
      let largest = ticket;
      for (const t of this.tickets) if (t.bytes > largest.bytes) largest = t;
      this.refuse(largest);
      if (largest === ticket) return false;
    }
    return true;
  }

  /** @internal */
  release(ticket: AnswerTicket): void {
    if (!this.tickets.delete(ticket)) return;
    this.total -= ticket.bytes;
    ticket.bytes = 0;
  }

  private refuse(ticket: AnswerTicket): void {
    ticket.refused = true;
    this.release(ticket);
    ticket.onRefused();
  }
}

export class AnswerTicket {
  bytes = 0;
  refused = false;

  constructor(
    private readonly memory: AnswerMemory,
    readonly onRefused: () => void,
  ) {}

  /** Counts `n` more bytes of this answer; false when the gateway refuses it (it was, or now is, the largest past the cap). */
  grow(n: number): boolean {
    return this.memory.grow(this, n);
  }

  /** The answer is parsed (or abandoned): its bytes no longer count. */
  release(): void {
    this.memory.release(this);
  }
}
