export { FunctionUrlFrontDoor, type FunctionUrlFrontDoorOptions } from './url-front-door.js';
