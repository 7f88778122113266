# Writes cut/drive.extra.yaml (python3 with PyYAML): python3 spec/graph/v1.0/cut/drive.extra.py > spec/graph/v1.0/cut/drive.extra.yaml
import yaml, sys
R = lambda n: {'$ref': '#/components/schemas/microsoft.graph.' + n}
ERR = {'$ref': '#/components/responses/error'}
P = lambda n: {'$ref': '#/components/parameters/' + n}
def pathp(name):
    return {'name': name, 'in': 'path', 'required': True, 'schema': {'type': 'string'}}
def json_resp(schema):
    return {'2XX': {'description': '2XX', 'content': {'application/json': {'schema': schema}}}, 'default': ERR}
def no_content():
    return {'2XX': {'description': '2XX'}, 'default': ERR}
def binary_resp():
    return {'2XX': {'description': '2XX', 'content': {'application/octet-stream': {'schema': {'type': 'string', 'format': 'binary'}}}}, 'default': ERR}
def func_array(item):
    return {'200': {'description': '200', 'content': {'application/json': {'schema': {'type': 'array', 'items': R(item)}}}}, 'default': ERR}
def body(schema, ctype='application/json'):
    return {'required': True, 'content': {ctype: {'schema': schema}}}
def op(oid, method, path, params, responses, request=None, pageable=False, function=False, action=False):
    o = {'operationId': oid, 'summary': f'{method.upper()} {path}'}
    o['parameters'] = params
    if request is not None:
        o['requestBody'] = request
    o['responses'] = responses
    if pageable:
        o['x-ms-pageable'] = {'nextLinkName': '@odata.nextLink', 'operationName': 'listMore'}
    if function:
        o['x-ms-docs-operation-type'] = 'function'
    if action:
        o['x-ms-docs-operation-type'] = 'action'
    return o

paths = {}
def add(path, method, o):
    paths.setdefault(path, {})[method] = o

LIST = [P('top'), P('skip'), P('filter'), P('count'), P('driveSelect'), P('driveExpand'), P('driveOrderby')]
ONE = [P('driveSelect'), P('driveExpand')]

def item_ops(prefix, base_params, idp):
    """Operations on the items of one drive; idp: operationId prefix ('user.drive', 'drives.items')."""
    I = prefix + '/items/{driveItem-id}'
    item = base_params + [pathp('driveItem-id')]
    # the root folder
    add(prefix + '/root', 'get', op(f'{idp}_GetRoot', 'get', prefix + '/root', base_params + ONE, json_resp(R('driveItem'))))
    add(prefix + '/root/children', 'get', op(f'{idp}_ListRootChildren', 'get', prefix + '/root/children', base_params + LIST,
        {'2XX': {'$ref': '#/components/responses/driveItemCollection'}, 'default': ERR}, pageable=True))
    add(prefix + '/root/children', 'post', op(f'{idp}_CreateRootChild', 'post', prefix + '/root/children', base_params,
        json_resp(R('driveItem')), request=body(R('driveItem'))))
    add(prefix + '/root/microsoft.graph.delta()', 'get', op(f'{idp}_delta', 'get', prefix + '/root/microsoft.graph.delta()', base_params, func_array('driveItem'), function=True))
    add(prefix + "/root/microsoft.graph.search(q='{q}')", 'get', op(f'{idp}_search', 'get', prefix + "/root/microsoft.graph.search(q='{q}')",
        base_params + [pathp('q')], func_array('driveItem'), function=True))
    # special folders by name (documents, photos, cameraroll, approot, music, recordings)
    add(prefix + '/special/{driveItem-id}', 'get', op(f'{idp}_GetSpecial', 'get', prefix + '/special/{driveItem-id}',
        item + ONE, json_resp(R('driveItem'))))
    add(I, 'get', op(f'{idp}_GetItem', 'get', I, item + ONE, json_resp(R('driveItem'))))
    add(I, 'patch', op(f'{idp}_UpdateItem', 'patch', I, item, json_resp(R('driveItem')), request=body(R('driveItem'))))
    add(I, 'delete', op(f'{idp}_DeleteItem', 'delete', I, item + [{'name': 'If-Match', 'in': 'header', 'schema': {'type': 'string'}}], no_content()))
    add(I + '/content', 'get', op(f'{idp}_GetContent', 'get', I + '/content', item, binary_resp()))
    add(I + '/content', 'put', op(f'{idp}_PutContent', 'put', I + '/content', item, json_resp(R('driveItem')),
        request=body({'type': 'string', 'format': 'binary'}, 'application/octet-stream')))
    add(I + '/children', 'get', op(f'{idp}_ListChildren', 'get', I + '/children', item + LIST,
        {'2XX': {'$ref': '#/components/responses/driveItemCollection'}, 'default': ERR}, pageable=True))
    add(I + '/children', 'post', op(f'{idp}_CreateChild', 'post', I + '/children', item, json_resp(R('driveItem')), request=body(R('driveItem'))))
    add(I + '/createUploadSession', 'post', op(f'{idp}_CreateUploadSession', 'post', I + '/createUploadSession', item,
        json_resp(R('uploadSession')), request=body(R('createUploadSessionBody')), action=True))
    # copy answers 202 Accepted with the monitor URL in Location: the raw reply is returned.
    add(I + '/copy', 'post', op(f'{idp}_copy', 'post', I + '/copy', item,
        {'202': {'description': '202', 'content': {'application/octet-stream': {'schema': {'type': 'string', 'format': 'binary'}}}}, 'default': ERR},
        request=body(R('copyItemBody')), action=True))
    add(I + '/createLink', 'post', op(f'{idp}_createLink', 'post', I + '/createLink', item, json_resp(R('permission')),
        request=body(R('createLinkBody')), action=True))
    add(I + '/invite', 'post', op(f'{idp}_invite', 'post', I + '/invite', item, func_array('permission'),
        request=body(R('inviteBody')), action=True))
    add(I + '/preview', 'post', op(f'{idp}_preview', 'post', I + '/preview', item, json_resp(R('itemPreviewInfo')),
        request=body(R('previewBody')), action=True))
    add(I + '/restore', 'post', op(f'{idp}_restore', 'post', I + '/restore', item, json_resp(R('driveItem')),
        request=body(R('restoreItemBody')), action=True))
    add(I + '/checkin', 'post', op(f'{idp}_checkin', 'post', I + '/checkin', item, no_content(),
        request=body(R('checkinBody')), action=True))
    add(I + '/checkout', 'post', op(f'{idp}_checkout', 'post', I + '/checkout', item, no_content(), action=True))
    add(I + '/permissions', 'get', op(f'{idp}_ListPermissions', 'get', I + '/permissions', item + LIST,
        {'2XX': {'$ref': '#/components/responses/permissionCollection'}, 'default': ERR}, pageable=True))
    perm = item + [pathp('permission-id')]
    add(I + '/permissions/{permission-id}', 'get', op(f'{idp}_GetPermission', 'get', I + '/permissions/{permission-id}', perm + ONE, json_resp(R('permission'))))
    add(I + '/permissions/{permission-id}', 'patch', op(f'{idp}_UpdatePermission', 'patch', I + '/permissions/{permission-id}', perm,
        json_resp(R('permission')), request=body(R('permission'))))
    add(I + '/permissions/{permission-id}', 'delete', op(f'{idp}_DeletePermission', 'delete', I + '/permissions/{permission-id}', perm, no_content()))
    add(I + '/thumbnails', 'get', op(f'{idp}_ListThumbnails', 'get', I + '/thumbnails', item + LIST,
        {'2XX': {'$ref': '#/components/responses/thumbnailSetCollection'}, 'default': ERR}, pageable=True))
    add(I + '/versions', 'get', op(f'{idp}_ListVersions', 'get', I + '/versions', item + LIST,
        {'2XX': {'$ref': '#/components/responses/driveItemVersionCollection'}, 'default': ERR}, pageable=True))
    ver = item + [pathp('driveItemVersion-id')]
    V = I + '/versions/{driveItemVersion-id}'
    add(V, 'get', op(f'{idp}_GetVersion', 'get', V, ver + ONE, json_resp(R('driveItemVersion'))))
    add(V + '/content', 'get', op(f'{idp}_GetVersionContent', 'get', V + '/content', ver, binary_resp()))
    add(V + '/restoreVersion', 'post', op(f'{idp}_restoreVersion', 'post', V + '/restoreVersion', ver, no_content(), action=True))

user = [pathp('user-id')]
drive = [pathp('drive-id')]
item_ops('/users/{user-id}/drive', user, 'user.drive')
item_ops('/drives/{drive-id}', drive, 'drives.items')

# drives: one method each where the module file has bogus ones (create/update/delete a drive)
add('/users/{user-id}/drive', 'get', op('user_GetDrive', 'get', '/users/{user-id}/drive', user + ONE, json_resp(R('drive'))))
add('/users/{user-id}/drives', 'get', op('user_ListDrives', 'get', '/users/{user-id}/drives', user + LIST,
    {'2XX': {'$ref': '#/components/responses/driveCollection'}, 'default': ERR}, pageable=True))
add('/users/{user-id}/drive/microsoft.graph.recent()', 'get', op('user.drive_recent', 'get', '/users/{user-id}/drive/microsoft.graph.recent()', user, func_array('driveItem'), function=True))
add('/users/{user-id}/drive/microsoft.graph.sharedWithMe()', 'get', op('user.drive_sharedWithMe', 'get', '/users/{user-id}/drive/microsoft.graph.sharedWithMe()', user, func_array('driveItem'), function=True))
add('/drives/{drive-id}', 'get', op('drives.drive_GetDrive', 'get', '/drives/{drive-id}', drive + ONE, json_resp(R('drive'))))
add('/drives', 'get', op('drives.drive_ListDrive', 'get', '/drives', LIST,
    {'2XX': {'$ref': '#/components/responses/driveCollection'}, 'default': ERR}, pageable=True))
group = [pathp('group-id')]
add('/groups/{group-id}/drive', 'get', op('groups_GetDrive', 'get', '/groups/{group-id}/drive', group + ONE, json_resp(R('drive'))))
add('/groups/{group-id}/drives', 'get', op('groups_ListDrives', 'get', '/groups/{group-id}/drives', group + LIST,
    {'2XX': {'$ref': '#/components/responses/driveCollection'}, 'default': ERR}, pageable=True))
site = [pathp('site-id')]
add('/sites/{site-id}/drive', 'get', op('sites_GetDrive', 'get', '/sites/{site-id}/drive', site + ONE, json_resp(R('drive'))))
add('/sites/{site-id}/drives', 'get', op('sites_ListDrives', 'get', '/sites/{site-id}/drives', site + LIST,
    {'2XX': {'$ref': '#/components/responses/driveCollection'}, 'default': ERR}, pageable=True))
share = [pathp('sharedDriveItem-id')]
add('/shares/{sharedDriveItem-id}', 'get', op('shares_GetSharedDriveItem', 'get', '/shares/{sharedDriveItem-id}', share + ONE, json_resp(R('sharedDriveItem'))))
add('/shares/{sharedDriveItem-id}/driveItem', 'get', op('shares_GetDriveItem', 'get', '/shares/{sharedDriveItem-id}/driveItem', share + ONE, json_resp(R('driveItem'))))
add('/shares/{sharedDriveItem-id}/driveItem/content', 'get', op('shares_GetDriveItemContent', 'get', '/shares/{sharedDriveItem-id}/driveItem/content', share, binary_resp()))

S = lambda t, **k: dict({'type': t, 'nullable': True}, **k)
facets = ['audio', 'bundle', 'deleted', 'file', 'fileSystemInfo', 'folder', 'image', 'location:geoCoordinates',
          'malware', 'package', 'pendingOperations', 'photo', 'publication:publicationFacet', 'remoteItem', 'root',
          'searchResult', 'shared', 'sharepointIds', 'specialFolder', 'video']
props = {}
for f in facets:
    name, _, ty = f.partition(':')
    props[name] = R(ty or name)
props['content'] = S('string', format='base64url')
props['cTag'] = S('string')
props['size'] = S('integer', format='int64')
props['webDavUrl'] = S('string')
props['@microsoft.graph.downloadUrl'] = S('string')
props['@microsoft.graph.conflictBehavior'] = S('string')
props = dict(sorted(props.items()))
schemas = {
    'microsoft.graph.driveItem': {'allOf': [R('baseItem'), {'type': 'object', 'properties': props, 'additionalProperties': {'type': 'object'}}]},
    'microsoft.graph.uploadSession': {'type': 'object', 'properties': {
        'expirationDateTime': S('string', format='date-time'),
        'nextExpectedRanges': {'type': 'array', 'items': S('string')},
        'uploadUrl': S('string')}, 'additionalProperties': {'type': 'object'}},
    'microsoft.graph.driveItemUploadableProperties': {'type': 'object', 'properties': {
        '@microsoft.graph.conflictBehavior': S('string'),
        'description': S('string'), 'fileSize': S('integer', format='int64'), 'name': S('string')},
        'additionalProperties': {'type': 'object'}},
    'microsoft.graph.createUploadSessionBody': {'type': 'object', 'properties': {'item': R('driveItemUploadableProperties')}},
    'microsoft.graph.copyItemBody': {'type': 'object', 'properties': {'name': S('string'), 'parentReference': R('itemReference')}},
    'microsoft.graph.createLinkBody': {'type': 'object', 'properties': {
        'expirationDateTime': S('string', format='date-time'), 'password': S('string'),
        'retainInheritedPermissions': S('boolean'), 'scope': S('string'), 'type': S('string')}},
    'microsoft.graph.inviteBody': {'type': 'object', 'properties': {
        'expirationDateTime': S('string'), 'message': S('string'), 'password': S('string'),
        'recipients': {'type': 'array', 'items': R('driveRecipient')}, 'requireSignIn': S('boolean'),
        'retainInheritedPermissions': S('boolean'),
        'roles': {'type': 'array', 'items': S('string')}, 'sendInvitation': S('boolean')}},
    'microsoft.graph.previewBody': {'type': 'object', 'properties': {'page': S('string'), 'zoom': S('number', format='double')}},
    'microsoft.graph.itemPreviewInfo': {'type': 'object', 'properties': {
        'getUrl': S('string'), 'postParameters': S('string'), 'postUrl': S('string')}, 'additionalProperties': {'type': 'object'}},
    'microsoft.graph.restoreItemBody': {'type': 'object', 'properties': {'name': S('string'), 'parentReference': R('itemReference')}},
    'microsoft.graph.checkinBody': {'type': 'object', 'properties': {'checkInAs': S('string'), 'comment': S('string')}},
}
def coll(name, item):
    schemas['microsoft.graph.' + name] = {'title': name, 'type': 'object', 'properties': {
        'value': {'type': 'array', 'items': R(item)}, '@odata.nextLink': S('string')},
        'additionalProperties': {'type': 'object'}}
coll('driveItemCollectionResponse', 'driveItem')
coll('permissionCollectionResponse', 'permission')
coll('thumbnailSetCollectionResponse', 'thumbnailSet')
coll('driveItemVersionCollectionResponse', 'driveItemVersion')
coll('driveCollectionResponse', 'drive')
responses = {}
for n, s in [('driveItemCollection', 'driveItemCollectionResponse'), ('permissionCollection', 'permissionCollectionResponse'),
             ('thumbnailSetCollection', 'thumbnailSetCollectionResponse'), ('driveItemVersionCollection', 'driveItemVersionCollectionResponse'),
             ('driveCollection', 'driveCollectionResponse')]:
    responses[n] = {'description': '2XX', 'content': {'application/json': {'schema': R(s)}}}
arr = lambda n: {'name': n, 'in': 'query', 'style': 'form', 'explode': False,
                 'schema': {'uniqueItems': True, 'type': 'array', 'items': {'type': 'string'}}}
params = {'driveSelect': arr('$select'), 'driveExpand': arr('$expand'), 'driveOrderby': arr('$orderby')}
doc = {'openapi': '3.0.1', 'info': {'title': 'Drive additions', 'version': 'v1.0'},
       'paths': dict(sorted(paths.items())),
       'components': {'schemas': dict(sorted(schemas.items())), 'responses': responses, 'parameters': params}}
head = """# Hand-written additions to Files.yml for the drive workload (merged last: on equal keys these win).
# The February 2022 module file stops at /drives/{drive-id}/items/{driveItem-id}: it has no
# children, permissions, thumbnails, versions, delta, copy, createLink, invite, preview, restore,
# checkin/checkout or upload sessions, and lists create/update/delete on drives, roots and special
# folders that Graph does not have. The item operations are written here for a user's drive
# (`/users/{user-id}/drive`, with `--also-me` for `/me/drive`) and for any drive
# (`/drives/{drive-id}`); the path items given here for drives, shares and special folders keep
# only the methods Graph serves; the item and content operations of `/drives/{drive-id}` are
# written here too (the module file documents a content PUT as answering nothing, Graph answers
# the driveItem). `driveItem` is the module's, plus the instance annotations
# `@microsoft.graph.downloadUrl` (a short-lived content URL in replies) and
# `@microsoft.graph.conflictBehavior` (fail, replace or rename, when creating an item).
# Functions keep the module's `microsoft.graph.` prefix (`root/microsoft.graph.delta()`); actions
# are written without it, which Graph accepts too (as in mail.extra.yaml); `copy`
# answers 202 Accepted with the monitor URL in `Location`, so its method returns the raw reply.
"""
sys.stdout.write(head + yaml.safe_dump(doc, sort_keys=False, width=120, default_flow_style=None))
