import { createMemoryBreakerStore } from '../../src/resilience/memoryBreakerStore';
import { describeBreakerStoreConformance } from './breakerStoreConformance';

describeBreakerStoreConformance('memory', createMemoryBreakerStore);
