import { useEffect, useState } from 'react';
import { api } from './api';

/**
 * Whether this Shipline still needs its first admin: undefined while asking, then true or false.
 * An unreachable server answers false, so the sign-in page shows its own error instead.
 */
export function useSetupNeeded(): boolean | undefined {
  const [needed, setNeeded] = useState<boolean | undefined>(undefined);
  useEffect(() => {
    let live = true;
    api.get<{ needed: boolean }>('/auth/setup').then(
      (state) => live && setNeeded(state.needed),
      () => live && setNeeded(false),
    );
    return () => {
      live = false;
    };
  }, []);
  return needed;
}
