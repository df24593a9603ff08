/** Resources a scenario acquired, released last-in first-out whatever happened. */
export class TeardownStack {
  readonly #steps: Array<() => void | Promise<void>> = [];

  defer(step: () => void | Promise<void>): void {
    this.#steps.push(step);
  }

  async run(): Promise<unknown[]> {
    const errors: unknown[] = [];
    for (let step = this.#steps.pop(); step; step = this.#steps.pop()) {
      try {
        await step();
      } catch (error) {
        errors.push(error);
      }
    }
    return errors;
  }
}
