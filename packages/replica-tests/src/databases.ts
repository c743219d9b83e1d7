/** A database prefix no other run uses, so that runs never share tables. */
export function uniqueDatabasePrefix(purpose: string): string {
  return `scale_out_${purpose}_${process.pid}_${Date.now().toString(36)}_`;
}
