/** Undo steps, run newest first and once, whether the run ends, fails or is interrupted. */
export class Cleanup {
  private readonly steps: { name: string; run: () => Promise<unknown> }[] = [];
  private done?: Promise<void>;

  add(name: string, run: () => Promise<unknown>): void {
    this.steps.push({ name, run });
  }

  run(): Promise<void> {
    this.done ??= (async () => {
      for (const step of [...this.steps].reverse()) {
        await step.run().catch((err) => console.error(`cleanup: ${step.name} failed: ${(err as Error).message}`));
      }
    })();
    return this.done;
  }
}
