export { createMockAuthApi, type MockAuthApi, type MockAuthApiOptions } from './mockApi.js'
export {
  defaultMockUsers,
  type MockEndpoint,
  type MockPublicUser,
  type MockServerState,
  type MockUser,
} from './server.js'
