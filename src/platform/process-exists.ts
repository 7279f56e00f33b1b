/**
 * Whether a process with this id exists (signal 0 checks without signalling). EPERM means it exists but belongs to
 * another user: it still holds whatever it holds (a store's write lock, a test run's temp directory).
 */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
