import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// The first render of a whole test app loads every plugin; on a busy 2-core CI machine that
// alone can take longer than Testing Library's default one second of waiting.
configure({ asyncUtilTimeout: 10_000 });
