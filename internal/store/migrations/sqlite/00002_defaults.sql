-- +goose Up
-- A fresh desk starts with the five standard support groups and categories.
INSERT INTO support_groups (key, name_zh, name_en, created_at) VALUES
    ('hardware',  '硬件组',     'Hardware',   0),
    ('software',  '软件组',     'Software',   0),
    ('network',   '网络组',     'Network',    0),
    ('training',  '培训组',     'Training',   0),
    ('complaint', '投诉处理组', 'Complaints', 0);

INSERT INTO categories (key, name_zh, name_en, group_id, fields, guide_zh, guide_en, sort) VALUES
    ('software', '软件故障', 'Software fault', (SELECT id FROM support_groups WHERE key = 'software'),
     '[{"key":"version","label_zh":"软件版本","label_en":"Software version","type":"text","required":false,"max_len":50},{"key":"os","label_zh":"操作系统","label_en":"Operating system","type":"select","required":false,"options":["Windows","macOS","Linux","iOS","Android","其他 Other"]},{"key":"network","label_zh":"网络环境","label_en":"Network","type":"select","required":false,"options":["有线 Wired","无线 Wi-Fi","VPN","4G/5G"]}]',
     '请写明软件版本、操作系统、网络环境、出错时的操作步骤和已经尝试过的办法，最好附上截图或日志。',
     'Please include the software version, operating system, network, the steps that led to the error and what you have tried; a screenshot or log helps.', 1),
    ('hardware', '硬件问题', 'Hardware problem', (SELECT id FROM support_groups WHERE key = 'hardware'),
     '[{"key":"model","label_zh":"设备型号","label_en":"Device model","type":"text","required":false,"max_len":100},{"key":"serial","label_zh":"序列号","label_en":"Serial number","type":"text","required":false,"max_len":100}]',
     '请写明设备型号、序列号、故障现象和出现的时间。', 'Please include the device model, serial number, what happens and since when.', 2),
    ('network', '网络异常', 'Network issue', (SELECT id FROM support_groups WHERE key = 'network'), '[]',
     '请写明所在位置、连接方式（有线/无线/VPN）、受影响的网站或系统。', 'Please include your location, how you connect (wired / Wi-Fi / VPN) and which sites or systems are affected.', 3),
    ('consultation', '操作咨询', 'How-to question', (SELECT id FROM support_groups WHERE key = 'training'), '[]',
     '请描述您想完成的操作和遇到的疑问。', 'Describe what you want to do and where you are stuck.', 4),
    ('complaint', '投诉建议', 'Complaint or suggestion', (SELECT id FROM support_groups WHERE key = 'complaint'), '[]',
     '请描述事情经过，以及您希望我们如何改进。', 'Tell us what happened and how we should do better.', 5);

-- +goose Down
DELETE FROM categories;
DELETE FROM support_groups;
