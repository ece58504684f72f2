// Tests run with a silent logger unless TEST_LOG_LEVEL asks otherwise (tests that check log
// contents install their own transport).
import { configureLogging } from '../../src/shared/logging/logger';

configureLogging(process.env.TEST_LOG_LEVEL ?? 'silent');
