/** Request header the request gate sets to the resolved client address (any client-sent copy is dropped). */
export const CLIENT_IP_HEADER = "x-omc-client-ip";
