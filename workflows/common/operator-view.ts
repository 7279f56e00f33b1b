import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import { searchAttributes } from '../../src/contract/search-attributes';

/**
 * What an operator sees of one workflow in the Temporal UI: the `FerjeStatus` search attribute (list views, filters)
 * and the current-details markdown (the workflow page). Both must stay free of personal data.
 */
export interface OperatorView<Status extends string> {
  /** Re-renders the details and, when `status` is given and differs from the last one, upserts `FerjeStatus`. */
  show(status?: Status): void;
  /** The last status upserted (undefined before the first). */
  readonly status: Status | undefined;
}

/**
 * One operator view per workflow run. `render` is called on every `show` so the details always match the state the
 * workflow holds; the status is upserted only on change, so a poll loop does not write a search attribute per turn.
 */
export function createOperatorView<Status extends string>(
  render: () => string,
  initialStatus?: Status,
  options: {
    /**
     * Upsert `FerjeStatus` on every `show(status)`, changed or not: only for runs recorded before a workflow adopted
     * this view and upserted on every render (replay must see the same commands). Decide it with `patched()`.
     */
    upsertUnchanged?: boolean;
  } = {},
): OperatorView<Status> {
  let current: Status | undefined = initialStatus;
  return {
    show(status?: Status): void {
      if (status !== undefined && (status !== current || options.upsertUnchanged)) {
        current = status;
        upsertSearchAttributes([{ key: searchAttributes.status, value: status }]);
      }
      setCurrentDetails(render());
    },
    get status() {
      return current;
    },
  };
}
